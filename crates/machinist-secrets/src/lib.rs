//! Talos cluster secrets: generation in talosctl's format, import, age encryption at rest, talosconfig, injection and redaction.
