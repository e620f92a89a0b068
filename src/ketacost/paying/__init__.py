"""Money steps applied to an estimate's patient share: pre-tax accounts, financing
and the indirect costs around treatment."""
