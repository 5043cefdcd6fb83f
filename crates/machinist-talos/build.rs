//! Compiles the trimmed Talos `.proto` files in `proto/` into Rust with protox (pure Rust, so no
//! `protoc` is needed) and tonic-prost-build (client and server stubs).

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let files = [
        "proto/machine/machine.proto",
        "proto/machine/lifecycle.proto",
        "proto/machine/image.proto",
        "proto/resource/definitions/hardware/hardware.proto",
        "proto/resource/definitions/block/block.proto",
        "proto/resource/definitions/network/network.proto",
        "proto/resource/definitions/extensions/extensions.proto",
        "proto/v1alpha1/state.proto",
        "proto/v1alpha1/meta.proto",
        "proto/resource/config/config.proto",
    ];
    for f in &files {
        println!("cargo:rerun-if-changed={f}");
    }
    println!("cargo:rerun-if-changed=proto");
    let fds = protox::compile(files, ["proto"])?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .compile_fds(fds)?;
    Ok(())
}
