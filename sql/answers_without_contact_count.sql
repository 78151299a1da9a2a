-- one row: how many answers' contacts were not loaded (the macro answers_without_contact), so they
-- count for the company but for no department.
select count(*) as n_answers from answers_without_contact()
