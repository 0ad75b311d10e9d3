"""The functional core of shuangsuiji: pure Python, no Django.

Everything here takes plain data and returns plain data: credit codes, the working-day calendar,
policy files, quotas, tickets, sampling, inspector assignment, manifests and their verification.
The Django shell loads rows, calls these functions and stores what they return. A test forbids any
Django import below this package, so the draw can be re-run and audited without the web application.
"""
