"""The processes (admission, discipline, removal, candidacy), each a package."""
