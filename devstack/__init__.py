"""Embedded development services (Kafka broker, MongoDB, Stripe mock, SMTP sink).

`devstack.kafka` and `devstack.services` start them as child processes, supervised by
`devstack.process`, for a run command and for pytest session fixtures alike.
"""
