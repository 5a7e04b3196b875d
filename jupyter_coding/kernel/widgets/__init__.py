"""ipywidgets views: the code picker (its logic in :mod:`.picker_logic`, no widgets there)."""
