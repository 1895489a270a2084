"""The HTTP side: the client and what it is made of.

``api_client`` (OnceHub), ``auth`` (the API-Key header), ``retry`` (when to try again),
``ratelimit`` (staying under OnceHub's limits), ``failures`` (what went wrong when no
answer came), ``responses`` (reading error bodies), ``clock`` (injectable time).
Importing a module here imports httpx; ``import oncehub_nb`` does not.
"""
