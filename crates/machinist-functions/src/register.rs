//! The minijinja face of the crate. In: a `minijinja::Environment`. Out: the same environment
//! with every machinist function registered twice, as a global function (`cidrhost(p, 10)`) and
//! as a filter with the first argument piped (`p | cidrhost(10)`).
//!
//! Each wrapper only converts template values to Rust types, calls [`crate::ipmath`],
//! [`crate::schematic`] or [`crate::encoding`], and turns failures into
//! `ErrorKind::InvalidOperation` errors whose message starts with the function name and quotes
//! the offending value. Nothing here returns an empty string or `false` for bad input, except
//! `ipvalid`, whose job is to answer that question.

use std::fmt::Display;

use minijinja::value::{Kwargs, Rest, Serde, ValueKind};
use minijinja::{Environment, Error, ErrorKind, Value};

use crate::{encoding, ipmath, schematic};

type Res = Result<Value, Error>;

/// Registers every machinist template function and filter on `env`.
pub fn register(env: &mut Environment<'_>) {
    macro_rules! both {
        ($($name:literal => $f:expr),* $(,)?) => {
            $( env.add_function($name, $f); env.add_filter($name, $f); )*
        };
    }
    both! {
        "cidrhost" => cidrhost,
        "cidrhostprefix" => cidrhostprefix,
        "cidrsubnet" => cidrsubnet,
        "cidrsubnets" => cidrsubnets,
        "cidrnetmask" => cidrnetmask,
        "cidrnetwork" => cidrnetwork,
        "cidrprefixlen" => cidrprefixlen,
        "cidrsize" => cidrsize,
        "cidrbroadcast" => cidrbroadcast,
        "cidrfirst" => cidrfirst,
        "cidrlast" => cidrlast,
        "cidrcontains" => cidrcontains,
        "cidroverlaps" => cidroverlaps,
        "ipadd" => ipadd,
        "ipaddr" => ipaddr,
        "ipversion" => ipversion,
        "ipvalid" => ipvalid,
        "schematic_id" => schematic_id,
        "installer_image" => installer_image,
        "required" => required,
        "fail" => fail,
        "to_yaml" => to_yaml,
        "to_json" => to_json,
        "from_yaml" => from_yaml,
        "b64encode" => b64encode,
        "b64decode" => b64decode,
        "sha256" => sha256,
    }
}

fn err(func: &str, msg: impl Display) -> Error {
    Error::new(ErrorKind::InvalidOperation, format!("{func}: {msg}"))
}

/// A short description of a template value for error messages.
fn describe(v: &Value) -> String {
    match v.kind() {
        ValueKind::Undefined => "undefined".to_string(),
        ValueKind::None => "none".to_string(),
        ValueKind::Bool => format!("boolean {v}"),
        ValueKind::Number if v.is_integer() => format!("integer {v}"),
        ValueKind::Number => format!("number {v}"),
        ValueKind::String => {
            let s = v.as_str().unwrap_or_default();
            if s.len() > 60 {
                format!("string {:?}...", &s[..s.floor_char_boundary(57)])
            } else {
                format!("string {s:?}")
            }
        }
        ValueKind::Bytes => "bytes".to_string(),
        ValueKind::Seq => "a list".to_string(),
        ValueKind::Map => "a map".to_string(),
        other => format!("a {other}"),
    }
}

fn text<'a>(func: &str, what: &str, v: &'a Value) -> Result<&'a str, Error> {
    v.as_str()
        .filter(|_| v.kind() == ValueKind::String)
        .ok_or_else(|| err(func, format!("expected {what}, got {}", describe(v))))
}

fn int(func: &str, what: &str, v: &Value) -> Result<i128, Error> {
    if v.kind() == ValueKind::Number
        && v.is_integer()
        && let Ok(n) = i128::try_from(v.clone())
    {
        return Ok(n);
    }
    if v.kind() == ValueKind::Number && v.is_integer() {
        return Err(err(
            func,
            format!("{what} {v} is too large (the largest is 2^127 - 1)"),
        ));
    }
    let hint = if v.kind() == ValueKind::String {
        " (convert it with `| int`)"
    } else {
        ""
    };
    Err(err(
        func,
        format!("{what} must be a whole number, got {}{hint}", describe(v)),
    ))
}

fn prefix(func: &str, v: &Value) -> Result<ipnet::IpNet, Error> {
    let s = text(func, "a CIDR prefix such as \"192.168.1.0/24\"", v)?;
    ipmath::parse_prefix(s).map_err(|e| err(func, e))
}

fn bytes_of<'a>(func: &str, v: &'a Value) -> Result<&'a [u8], Error> {
    match v.kind() {
        ValueKind::String | ValueKind::Bytes => Ok(v.as_bytes().unwrap_or_default()),
        _ => Err(err(
            func,
            format!("expected text or bytes, got {}", describe(v)),
        )),
    }
}

fn cidrhost(p: Value, n: Value) -> Res {
    let f = "cidrhost";
    let addr =
        ipmath::host(&prefix(f, &p)?, int(f, "the host number", &n)?).map_err(|e| err(f, e))?;
    Ok(Value::from(addr.to_string()))
}

fn cidrhostprefix(p: Value, n: Value) -> Res {
    let f = "cidrhostprefix";
    let net = ipmath::host_prefix(&prefix(f, &p)?, int(f, "the host number", &n)?)
        .map_err(|e| err(f, e))?;
    Ok(Value::from(net.to_string()))
}

fn cidrsubnet(p: Value, newbits: Value, netnum: Value) -> Res {
    let f = "cidrsubnet";
    let net = ipmath::subnet(
        &prefix(f, &p)?,
        int(f, "newbits", &newbits)?,
        int(f, "the subnet number", &netnum)?,
    )
    .map_err(|e| err(f, e))?;
    Ok(Value::from(net.to_string()))
}

fn cidrsubnets(p: Value, newbits: Rest<Value>) -> Res {
    let f = "cidrsubnets";
    let net = prefix(f, &p)?;
    let bits = newbits
        .iter()
        .map(|v| int(f, "newbits", v))
        .collect::<Result<Vec<_>, _>>()?;
    let nets = ipmath::subnets(&net, &bits).map_err(|e| err(f, e))?;
    Ok(Value::from(
        nets.iter().map(ToString::to_string).collect::<Vec<_>>(),
    ))
}

fn cidrnetmask(p: Value) -> Res {
    let f = "cidrnetmask";
    let mask = ipmath::netmask(&prefix(f, &p)?).map_err(|e| err(f, e))?;
    Ok(Value::from(mask.to_string()))
}

fn cidrnetwork(p: Value) -> Res {
    Ok(Value::from(
        ipmath::network(&prefix("cidrnetwork", &p)?).to_string(),
    ))
}

fn cidrprefixlen(p: Value) -> Res {
    Ok(Value::from(ipmath::prefix_len(&prefix(
        "cidrprefixlen",
        &p,
    )?)))
}

fn cidrsize(p: Value) -> Res {
    let f = "cidrsize";
    let size = ipmath::size(&prefix(f, &p)?).map_err(|e| err(f, e))?;
    // Small sizes stay plain 64-bit integers so they mix freely with other numbers.
    Ok(match i64::try_from(size) {
        Ok(small) => Value::from(small),
        Err(_) => Value::from(size),
    })
}

fn cidrbroadcast(p: Value) -> Res {
    let f = "cidrbroadcast";
    let addr = ipmath::broadcast(&prefix(f, &p)?).map_err(|e| err(f, e))?;
    Ok(Value::from(addr.to_string()))
}

fn cidrfirst(p: Value) -> Res {
    Ok(Value::from(
        ipmath::first_usable(&prefix("cidrfirst", &p)?).to_string(),
    ))
}

fn cidrlast(p: Value) -> Res {
    Ok(Value::from(
        ipmath::last_usable(&prefix("cidrlast", &p)?).to_string(),
    ))
}

fn cidrcontains(p: Value, inner: Value) -> Res {
    let f = "cidrcontains";
    let outer = prefix(f, &p)?;
    let s = text(f, "an IP address or CIDR prefix", &inner)?;
    let inner = ipmath::parse_addr_or_prefix(s).map_err(|e| err(f, e))?;
    Ok(Value::from(ipmath::contains(&outer, &inner)))
}

fn cidroverlaps(a: Value, b: Value) -> Res {
    let f = "cidroverlaps";
    Ok(Value::from(ipmath::overlaps(
        &prefix(f, &a)?,
        &prefix(f, &b)?,
    )))
}

fn addr_spec(func: &str, v: &Value) -> Result<ipmath::AddrSpec, Error> {
    let s = text(func, "an IP address such as \"192.168.1.10\"", v)?;
    ipmath::parse_addr_spec(s).map_err(|e| err(func, e))
}

fn ipadd(ip: Value, n: Value) -> Res {
    let f = "ipadd";
    let spec = addr_spec(f, &ip)?;
    let out = ipmath::add_spec(spec, int(f, "the number to add", &n)?).map_err(|e| err(f, e))?;
    Ok(Value::from(out.to_string()))
}

fn ipaddr(v: Value) -> Res {
    Ok(Value::from(addr_spec("ipaddr", &v)?.addr.to_string()))
}

fn ipversion(v: Value) -> Res {
    Ok(Value::from(ipmath::version(
        addr_spec("ipversion", &v)?.addr,
    )))
}

fn ipvalid(v: Value) -> Res {
    let valid =
        v.kind() == ValueKind::String && v.as_str().is_some_and(|s| ipmath::parse_addr(s).is_ok());
    Ok(Value::from(valid))
}

fn schematic_value(func: &str, v: &Value) -> Result<schematic::Schematic, Error> {
    if !matches!(v.kind(), ValueKind::Map | ValueKind::None) {
        return Err(err(
            func,
            format!(
                "expected a schematic map (overlay, customization), got {}",
                describe(v)
            ),
        ));
    }
    let json = serde_json::to_value(v).map_err(|e| err(func, format!("schematic: {e}")))?;
    schematic::Schematic::from_value(&json).map_err(|e| err(func, e))
}

fn schematic_id(v: Value) -> Res {
    let f = "schematic_id";
    let id = schematic_value(f, &v)?.id().map_err(|e| err(f, e))?;
    Ok(Value::from(id))
}

fn installer_image(
    s: Value,
    version: Value,
    factory: Option<Value>,
    secureboot: Option<Value>,
    kwargs: Kwargs,
) -> Res {
    let f = "installer_image";
    let id = if s.kind() == ValueKind::String {
        s.as_str().unwrap_or_default().to_string()
    } else {
        schematic_value(f, &s)?.id().map_err(|e| err(f, e))?
    };
    let version = text(f, "a Talos version such as \"v1.12.7\"", &version)?;
    let factory = match (factory, kwargs.get::<Option<Value>>("factory")?) {
        (Some(_), Some(_)) => return Err(err(f, "factory is given twice")),
        (Some(v), None) | (None, Some(v)) => text(f, "a factory host", &v)?.to_string(),
        (None, None) => schematic::DEFAULT_FACTORY.to_string(),
    };
    let secureboot = match (secureboot, kwargs.get::<Option<Value>>("secureboot")?) {
        (Some(_), Some(_)) => return Err(err(f, "secureboot is given twice")),
        (Some(v), None) | (None, Some(v)) => match v.kind() {
            ValueKind::Bool => v.is_true(),
            _ => {
                return Err(err(
                    f,
                    format!("secureboot must be true or false, got {}", describe(&v)),
                ));
            }
        },
        (None, None) => false,
    };
    known_kwargs(f, &kwargs, &["factory", "secureboot"])?;
    let image =
        schematic::installer_image(&id, version, &factory, secureboot).map_err(|e| err(f, e))?;
    Ok(Value::from(image))
}

fn known_kwargs(func: &str, kwargs: &Kwargs, known: &[&str]) -> Result<(), Error> {
    match kwargs.args().find(|name| !known.contains(name)) {
        Some(name) => Err(err(
            func,
            format!(
                "unknown keyword argument `{name}` (expected {})",
                known.join(" or ")
            ),
        )),
        None => Ok(()),
    }
}

fn required(value: Value, msg: Option<Value>) -> Res {
    let missing = match value.kind() {
        ValueKind::Undefined | ValueKind::None => true,
        ValueKind::String => value.as_str().is_some_and(str::is_empty),
        _ => false,
    };
    if !missing {
        return Ok(value);
    }
    let msg = match &msg {
        Some(m) => text("required", "a message", m)?.to_string(),
        None => "required: a required value is missing or empty".to_string(),
    };
    Err(Error::new(ErrorKind::InvalidOperation, msg))
}

fn fail(msg: Value) -> Res {
    let msg = text("fail", "a message", &msg)?;
    Err(Error::new(ErrorKind::InvalidOperation, msg.to_string()))
}

fn to_yaml(v: Value) -> Res {
    let f = "to_yaml";
    if v.is_undefined() {
        return Err(err(f, "the value is undefined"));
    }
    Ok(Value::from(encoding::to_yaml(&v).map_err(|e| err(f, e))?))
}

fn to_json(v: Value, kwargs: Kwargs) -> Res {
    let f = "to_json";
    if v.is_undefined() {
        return Err(err(f, "the value is undefined"));
    }
    let indent = match kwargs.get::<Option<Value>>("indent")? {
        None => None,
        Some(n) => Some(
            usize::try_from(int(f, "indent", &n)?)
                .map_err(|_| err(f, format!("indent must not be negative, got {n}")))?,
        ),
    };
    kwargs.assert_all_used().map_err(|e| err(f, e))?;
    Ok(Value::from(
        encoding::to_json(&v, indent).map_err(|e| err(f, e))?,
    ))
}

fn from_yaml(v: Value) -> Res {
    let f = "from_yaml";
    let s = text(f, "YAML text", &v)?;
    let parsed = encoding::from_yaml(s).map_err(|e| err(f, e))?;
    Ok(Value::from(Serde(parsed)))
}

fn b64encode(v: Value) -> Res {
    Ok(Value::from(encoding::b64encode(bytes_of("b64encode", &v)?)))
}

fn b64decode(v: Value) -> Res {
    let f = "b64decode";
    let s = text(f, "base64 text", &v)?;
    Ok(Value::from(
        encoding::b64decode_text(s).map_err(|e| err(f, e))?,
    ))
}

fn sha256(v: Value) -> Res {
    Ok(Value::from(encoding::sha256_hex(bytes_of("sha256", &v)?)))
}
