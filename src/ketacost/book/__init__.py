"""The price book: its model, strict YAML loading, the clinic overlay, the cache,
and how old and where its figures are."""
