"""Errors to Sentry, when SENTRY_DSN is set (docs/faults.md).

What is sent: unhandled exceptions in requests and Celery tasks, and every log
record at ERROR or above (the platform logs what it swallows, e.g. a failed
receiver or a courier that keeps failing). No personal data: no request bodies,
cookies or user details.
"""


def sentry_init(dsn: str, *, environment: str = "production") -> bool:
    """Start reporting to `dsn`; False (nothing done) without one."""
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        max_request_body_size="never",
        traces_sample_rate=0.0,
    )
    return True
