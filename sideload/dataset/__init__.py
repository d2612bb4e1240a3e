"""A consented, redacted research dataset of the owner's moments, and the merge of many volunteers'.

`export` writes WebDataset shards (plain tar: a JSON record and a keyframe per moment) with a manifest
of checksums and a dataset card; `merge` verifies many volunteers' exports and joins them into one
dataset with a split per volunteer. What may leave the vault is decided in `redact` (words, names,
text in frames) and `faces` (keyframes); who the volunteer is, in `pseudonym`.
"""
