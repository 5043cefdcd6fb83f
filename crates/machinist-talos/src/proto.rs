//! Generated protobuf and gRPC types. In: the `.proto` files under `proto/` (compiled by
//! `build.rs`). Out: one Rust module per protobuf package, with tonic clients and servers.
#![allow(clippy::all, missing_docs)]

/// `common` package: the per-node reply header.
pub mod common {
    tonic::include_proto!("common");
}

/// `google.rpc` package: the gRPC status message.
pub mod google {
    /// `google.rpc`.
    pub mod rpc {
        tonic::include_proto!("google.rpc");
    }
}

/// `machine` package: `MachineService` (apply, version, lifecycle calls), `LifecycleService`
/// (Upgrade) and `ImageService` (Pull).
pub mod machine {
    tonic::include_proto!("machine");
}

/// `cosi.resource` package: the COSI `State` service (Get and List) and, in `meta`, the
/// ResourceDefinition spec.
pub mod cosi {
    /// `cosi.resource`.
    pub mod resource {
        tonic::include_proto!("cosi.resource");

        /// `cosi.resource.meta`: the ResourceDefinition spec.
        pub mod meta {
            tonic::include_proto!("cosi.resource.meta");
        }
    }
}

/// `resource.config` package: the MachineConfig resource spec.
pub mod resource {
    /// `resource.config`.
    pub mod config {
        tonic::include_proto!("resource.config");
    }
}

/// `talos.resource.definitions.*` packages: the specs of the hardware, block and network
/// resources (SystemInformation, Disk, LinkStatus) and of ExtensionStatus.
pub mod definitions {
    /// `talos.resource.definitions.hardware`.
    pub mod hardware {
        tonic::include_proto!("talos.resource.definitions.hardware");
    }
    /// `talos.resource.definitions.block`.
    pub mod block {
        tonic::include_proto!("talos.resource.definitions.block");
    }
    /// `talos.resource.definitions.enums`.
    pub mod enums {
        tonic::include_proto!("talos.resource.definitions.enums");
    }
    /// `talos.resource.definitions.network`.
    pub mod network {
        tonic::include_proto!("talos.resource.definitions.network");
    }
    /// `talos.resource.definitions.extensions`.
    pub mod extensions {
        tonic::include_proto!("talos.resource.definitions.extensions");
    }
}
