"""The kernel side: ``%%code`` and the other magics, Tab completion, displays and the
code picker widgets (their logic apart from their view).

Imports everything below it (the document model, the study, the notebooks, the exchange
formats) and IPython, traitlets and ipywidgets; nothing below imports it.
"""
