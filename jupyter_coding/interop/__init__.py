"""Exchange formats: REFI-QDA codebooks and projects, and CodeableModels modules.

Every export is a build product of the field notes: regenerate it, never edit it.
"""
