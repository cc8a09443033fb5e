"""JSON API v1 for mobile apps, mini-programs and kiosks: the same services as the pages, bearer tokens,
problem+json errors and an OpenAPI 3.1 document generated from the declared operations."""
