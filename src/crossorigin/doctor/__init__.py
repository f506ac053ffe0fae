"""The doctor: why a cross-origin request is blocked, and the server configuration that fixes it.

``crossorigin.doctor.fixes`` turns what a request needs into configuration for a backend stack.
"""
