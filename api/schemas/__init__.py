"""The API's request and response schemas, one module per resource, and the functions that build
each response body.

The models are the truth of what is sent: every route declares its model (and its error
answers), the OpenAPI document is made from them, and the test suite validates every body it
receives against the declared model.  ``extra="forbid"`` makes a field the builders add but the
model lacks a failure, not a silent lie.  Bodies are built as plain dicts and sent with orjson
(validating each response in production would cost more than an embedded search); empty sense
fields are left out to keep responses small for the mobile app.

A request that writes an entry derives from the domain's content model
(:class:`dictionary.model.EntryContent`), which declares the limits and text rules once; the
document states them from there.
"""
