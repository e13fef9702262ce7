"""The only code that touches Kafka, MongoDB, Stripe and SMTP; implements core's ports."""
