// Site-wide behaviour that needs script. Pages work without it except autosave.
