"""Who the user is, what their role lets them do, and which rows they may see.

Everything here is plain Python below the pages: the app (after sign-in) and the command line
(`--as EMAIL`) both turn an e-mail address into a `User` with `roles.resolve`, and every reader
narrows its filters with `User.scope` before a query runs. Nothing below this package knows
about users.
"""
