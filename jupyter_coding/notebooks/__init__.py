"""Field notes as notebooks: the exact conversion both ways, the guarded writer, the
nbconvert exporter, the Jupyter Server save hook, contents manager and server extension.

Imports the document model and :mod:`jupyter_coding.common` (nbformat and jupyter_server
only where needed); never the study analysis, the kernel or the exchange formats.
"""
