"""The HTTP side: the client and what it is made of.

``api_client`` (OnceHub), ``auth`` (the API-Key header), ``retry`` (when to try again),
``ratelimit`` (staying under OnceHub's limits), ``failures`` (what went wrong when no
answer came), ``responses`` (reading error bodies), ``paging`` (the list cursor, typed
against a small ``PageSource`` protocol), ``history`` (the calls sent, no key kept),
``clock`` (injectable time). It builds no results: those are made one layer up
(``validation.check``, ``ListResult.fetch``). Importing ``api_client`` imports httpx;
``import oncehub_nb`` does not.
"""
