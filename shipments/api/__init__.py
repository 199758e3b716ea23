"""REST endpoints for shipments (routes in shipments.api_urls): booking, labels,
fresh tracking, claims, bulk booking, courier performance."""
