-- Records which write the writer's file now holds (sql/write_state.sql).
delete from write_state;
insert into write_state values ($lineage, $generation, $state)
