# Integration cases for virtio (included from cases.cmake).
