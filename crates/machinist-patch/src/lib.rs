//! Talos config patches: strategic merge with Talos's typed rules, JSON 6902, and per-path list policies.
