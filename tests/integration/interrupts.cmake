# Integration cases for this area (included from cases.cmake).
