"""A folder (or git revision) of field notes read as one study: the codebook, checks,
refactoring, statistics, reports, the paper's tables and the agreement of coders.

Imports the document model (:mod:`jupyter_coding.fieldnotes`) and the helpers of
:mod:`jupyter_coding.common`; never IPython, widgets, notebooks or exchange formats.
"""
