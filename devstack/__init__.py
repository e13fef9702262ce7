"""Embedded development services (Kafka broker, MongoDB, Stripe mock, SMTP sink).

`devstack.services` starts them as child processes, for a run command and for
pytest session fixtures alike.
"""
