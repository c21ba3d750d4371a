"""The case types (admission, discipline, removal, candidacy), each a package."""
