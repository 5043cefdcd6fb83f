//! The Talos node API: trimmed protos, the mTLS gRPC client, and the simulator library behind machinist-sim.
