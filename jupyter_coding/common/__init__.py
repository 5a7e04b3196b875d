"""Helpers every layer above the document model uses: finding and writing files safely
(``files``), counted nouns in messages (``words``), progress bars (``progress``) and
per-file work on every core (``parallel``). They import only the document model."""
