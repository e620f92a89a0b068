"""Real negotiated rates from the public price-transparency files.

`extract` streams insurers' Transparency in Coverage files (in-network rates, allowed
amounts) and hospitals' standard-charge files (CMS v3 CSV and JSON) and keeps one
provider's rates for the codes this project prices; `book` is the small validated rate
book it writes; `apply` is the hook the claim engine calls for an allowed amount.

Nothing here is imported on the path of an estimate without `--rates`.
"""
