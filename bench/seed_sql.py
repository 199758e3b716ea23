"""SQL pieces the set-based seeders share (orders numbered i in generate_series)."""


def customer_of_order(customers: int, heavy: int, heavy_every: int) -> str:
    """SQL: the customer row number (1-based, by id) of order i: every
    `heavy_every`th order is one of the `heavy` customers', the rest spread over the
    others."""
    return (
        f"CASE WHEN i %% {heavy_every} = 0 THEN 1 + (i / {heavy_every}) %% {heavy}"
        f" ELSE {heavy + 1} + (i * 7919) %% {customers - heavy} END"
    )


def paths_values(paths: dict[str, list[str]]) -> str:
    """SQL VALUES of (final status, the statuses that led to it)."""
    return ", ".join(
        f"('{status}', ARRAY[{', '.join(repr(step) for step in path)}]::text[])"
        for status, path in paths.items()
    )
