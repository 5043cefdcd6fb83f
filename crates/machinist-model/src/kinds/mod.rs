//! The multi-document kinds (`apiVersion: v1alpha1`, `kind: ...`). In: nothing, or one YAML
//! document. Out: the [`registry`] of every kind Talos accepts, with its identity rule, the
//! contracts where it exists and a function producing its JSON schema; and [`parse_document`],
//! which turns a document into its typed [`KindDocument`].
//!
//! One file per family of kinds; every type follows the conventions in the crate root.

use crate::Contract;

mod block;
mod cluster;
mod common;
mod container;
mod cri;
mod kubernetes;
mod kubernetes_control_plane;
mod network;
mod network_links;
mod runtime;
mod security;
mod storage;

pub use block::*;
pub use cluster::*;
pub use container::*;
pub use cri::*;
pub use kubernetes::*;
pub use kubernetes_control_plane::*;
pub use network::*;
pub use network_links::*;
pub use runtime::*;
pub use security::*;
pub use storage::*;

pub use common::*;

/// One document kind.
#[derive(Debug, Clone, Copy)]
pub struct KindInfo {
    /// The `kind:` value, as Talos's decoder spells it.
    pub kind: &'static str,
    /// Whether documents of this kind carry a `name` that identifies them (duplicates of
    /// (kind, name) are rejected); unnamed kinds may appear at most once.
    pub named: bool,
    /// The first contract that accepts the kind.
    pub since: Contract,
    /// The first contract that no longer accepts it, if any.
    pub removed: Option<Contract>,
    /// Produces the JSON schema of the document.
    pub schema: fn(&mut schemars::SchemaGenerator) -> schemars::Schema,
}

impl KindInfo {
    /// Whether the kind exists in `contract`.
    pub fn available_in(&self, contract: Contract) -> bool {
        contract >= self.since && self.removed.is_none_or(|r| contract < r)
    }
}

/// Every multi-document kind machinist knows, in a stable order.
pub fn registry() -> &'static [KindInfo] {
    REGISTRY
}

/// Looks a kind up by its `kind:` value (exact spelling).
pub fn lookup(kind: &str) -> Option<&'static KindInfo> {
    REGISTRY.iter().find(|k| k.kind == kind)
}

/// Why a YAML document could not be read as a multi-document kind.
#[derive(Debug, thiserror::Error)]
pub enum KindError {
    /// The document has no string `kind` field.
    #[error("document has no `kind` field: add `apiVersion: v1alpha1` and `kind: <Kind>`")]
    MissingKind,
    /// The kind is not one Talos knows.
    #[error("unknown document kind `{kind}`")]
    UnknownKind {
        /// The `kind` value found.
        kind: String,
    },
    /// The document does not match its kind's shape.
    #[error("invalid `{kind}` document: {source}")]
    Invalid {
        /// The kind of the document.
        kind: &'static str,
        /// What serde reported (unknown field, wrong type, missing field...).
        source: serde_yaml_ng::Error,
    },
}

/// The identity of one document: its kind and, for named kinds, its `name`. Two documents of a
/// config with the same identity are a duplicate that Talos rejects.
pub fn document_identity(
    value: &serde_yaml_ng::Value,
) -> Result<(&'static KindInfo, Option<String>), KindError> {
    let kind = value
        .get("kind")
        .and_then(|k| k.as_str())
        .ok_or(KindError::MissingKind)?;
    let info = lookup(kind).ok_or_else(|| KindError::UnknownKind {
        kind: kind.to_string(),
    })?;
    let name = if info.named {
        value
            .get("name")
            .and_then(|n| n.as_str())
            .map(str::to_string)
    } else {
        None
    };
    Ok((info, name))
}

fn schema_of<T: schemars::JsonSchema>(
    generator: &mut schemars::SchemaGenerator,
) -> schemars::Schema {
    generator.subschema_for::<T>()
}

macro_rules! kinds {
    ($($ty:ident { named: $named:expr, since: $since:ident }),* $(,)?) => {
        /// One multi-document kind, typed.
        #[derive(Debug, Clone, PartialEq)]
        pub enum KindDocument {
            $(
                #[doc = concat!("A `", stringify!($ty), "` document.")]
                $ty(Box<$ty>),
            )*
        }

        impl KindDocument {
            /// The `kind` value of the document.
            pub fn kind(&self) -> &'static str {
                match self {
                    $(KindDocument::$ty(_) => stringify!($ty),)*
                }
            }
        }

        impl serde::Serialize for KindDocument {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    $(KindDocument::$ty(doc) => doc.serialize(serializer),)*
                }
            }
        }

        static REGISTRY: &[KindInfo] = &[
            $(KindInfo {
                kind: stringify!($ty),
                named: $named,
                since: Contract::$since,
                removed: None,
                schema: schema_of::<$ty>,
            },)*
        ];

        /// Reads one YAML document (already split from its stream) as the typed document of its
        /// `kind`. Unknown fields, wrong types and missing required fields are errors.
        pub fn parse_document(value: serde_yaml_ng::Value) -> Result<KindDocument, KindError> {
            let kind = value
                .get("kind")
                .and_then(|k| k.as_str())
                .ok_or(KindError::MissingKind)?
                .to_string();
            match kind.as_str() {
                $(stringify!($ty) => serde_yaml_ng::from_value::<$ty>(value)
                    .map(|d| KindDocument::$ty(Box::new(d)))
                    .map_err(|source| KindError::Invalid { kind: stringify!($ty), source }),)*
                _ => Err(KindError::UnknownKind { kind }),
            }
        }
    };
}

kinds! {
    ExistingVolumeConfig { named: true, since: V1_11 },
    ExternalVolumeConfig { named: true, since: V1_13 },
    FilesystemScrubConfig { named: false, since: V1_14 },
    FilesystemTrimConfig { named: false, since: V1_14 },
    RawVolumeConfig { named: true, since: V1_11 },
    SwapVolumeConfig { named: true, since: V1_11 },
    UserVolumeConfig { named: true, since: V1_11 },
    VolumeConfig { named: true, since: V1_11 },
    ZswapConfig { named: false, since: V1_11 },
    DiscoveryIdentityConfig { named: false, since: V1_14 },
    DiscoveryServiceConfig { named: true, since: V1_14 },
    SideroLinkConfig { named: false, since: V1_11 },
    ContainerConfig { named: true, since: V1_14 },
    CRIBaseRuntimeSpecConfig { named: false, since: V1_14 },
    CRICustomizationConfig { named: true, since: V1_14 },
    ImageCacheConfig { named: false, since: V1_14 },
    RegistryAuthConfig { named: true, since: V1_12 },
    RegistryMirrorConfig { named: true, since: V1_12 },
    RegistryTLSConfig { named: true, since: V1_12 },
    KubeClusterConfig { named: false, since: V1_14 },
    KubeCoreDNSConfig { named: false, since: V1_14 },
    KubeCredentialProviderConfig { named: false, since: V1_14 },
    KubeExternalManifestConfig { named: true, since: V1_14 },
    KubeFlannelCNIConfig { named: false, since: V1_14 },
    KubeInlineManifestConfig { named: true, since: V1_14 },
    KubeNetworkConfig { named: false, since: V1_14 },
    KubeNodeConfig { named: false, since: V1_14 },
    KubePrismConfig { named: false, since: V1_14 },
    KubeProxyConfig { named: false, since: V1_14 },
    KubeStaticPodConfig { named: true, since: V1_14 },
    KubeTalosAPIAccessConfig { named: false, since: V1_14 },
    KubeletConfig { named: false, since: V1_14 },
    KubeAPIServerCAConfig { named: false, since: V1_14 },
    KubeAPIServerConfig { named: false, since: V1_14 },
    KubeAdmissionControlConfig { named: true, since: V1_14 },
    KubeAggregatorCAConfig { named: false, since: V1_14 },
    KubeAuditPolicyConfig { named: false, since: V1_14 },
    KubeAuthenticationConfig { named: false, since: V1_14 },
    KubeAuthorizerConfig { named: true, since: V1_14 },
    KubeControllerManagerConfig { named: false, since: V1_14 },
    KubeEtcdEncryptionConfig { named: false, since: V1_14 },
    KubeSchedulerConfig { named: false, since: V1_14 },
    KubeServiceAccountConfig { named: false, since: V1_14 },
    BGPInstanceConfig { named: true, since: V1_14 },
    BlackholeRouteConfig { named: true, since: V1_13 },
    DHCPv4Config { named: true, since: V1_12 },
    DHCPv6Config { named: true, since: V1_12 },
    HCloudVIPConfig { named: true, since: V1_12 },
    HTTPProbeConfig { named: true, since: V1_14 },
    HostnameConfig { named: false, since: V1_12 },
    KubeSpanConfig { named: false, since: V1_13 },
    KubeSpanEndpointsConfig { named: false, since: V1_11 },
    Layer2VIPConfig { named: true, since: V1_12 },
    NetworkDefaultActionConfig { named: false, since: V1_11 },
    NetworkRuleConfig { named: true, since: V1_11 },
    ResolverConfig { named: false, since: V1_12 },
    RoutingRuleConfig { named: true, since: V1_13 },
    StaticHostConfig { named: true, since: V1_12 },
    TCPProbeConfig { named: true, since: V1_13 },
    TimeSyncConfig { named: false, since: V1_12 },
    BondConfig { named: true, since: V1_12 },
    BridgeConfig { named: true, since: V1_12 },
    DummyLinkConfig { named: true, since: V1_12 },
    EthernetConfig { named: true, since: V1_11 },
    LinkAliasConfig { named: true, since: V1_12 },
    LinkConfig { named: true, since: V1_12 },
    VLANConfig { named: true, since: V1_12 },
    VRFConfig { named: true, since: V1_13 },
    VethConfig { named: true, since: V1_14 },
    WireguardConfig { named: true, since: V1_12 },
    EnvironmentConfig { named: false, since: V1_13 },
    EtcFileConfig { named: true, since: V1_14 },
    EventSinkConfig { named: false, since: V1_11 },
    ExtensionServiceConfig { named: true, since: V1_11 },
    KernelModuleConfig { named: true, since: V1_14 },
    KmsgLogConfig { named: true, since: V1_11 },
    OOMConfig { named: false, since: V1_12 },
    PCIDriverRebindConfig { named: true, since: V1_11 },
    SecurityProfileConfig { named: false, since: V1_14 },
    SysctlConfig { named: false, since: V1_14 },
    SysfsConfig { named: false, since: V1_14 },
    UdevRulesConfig { named: false, since: V1_14 },
    UnattendedInstallConfig { named: false, since: V1_14 },
    WatchdogTimerConfig { named: false, since: V1_11 },
    ImageVerificationConfig { named: false, since: V1_13 },
    TrustedRootsConfig { named: true, since: V1_11 },
    LVMLogicalVolumeConfig { named: true, since: V1_14 },
    LVMVolumeGroupConfig { named: true, since: V1_14 },
    RAIDArrayConfig { named: true, since: V1_14 },
}
