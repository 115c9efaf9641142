//! The config file of named stores (TOML, one `[NAME]` table each): where it is, reading it,
//! and writing it back atomically with owner-only permissions.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use storage::types::backend::normal_key;

use crate::exit::usage;
use crate::named::valid_name;

/// One named store: its URL (without query) and its URL keys, normalised (`access-key`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Store {
    /// `s3://bucket/prefix`, `fs:///data` ...: a URL, percent-escaped as URLs are.
    pub(crate) url: String,
    /// The URL keys; values may be secrets.
    pub(crate) keys: BTreeMap<String, String>,
}

/// The named stores, by name.
pub(crate) type Stores = BTreeMap<String, Store>;

/// The file: `explicit` (`--config`, `STOR_CONFIG`), else `$XDG_CONFIG_HOME/stor/config.toml`,
/// else `~/.config/stor/config.toml`; `None` without a home directory.
pub(crate) fn path(explicit: Option<&Path>) -> Option<PathBuf> {
    path_from(
        explicit,
        std::env::var_os("XDG_CONFIG_HOME"),
        std::env::home_dir().map(PathBuf::into_os_string),
    )
}

fn path_from(
    explicit: Option<&Path>,
    xdg: Option<OsString>,
    home: Option<OsString>,
) -> Option<PathBuf> {
    if let Some(file) = explicit {
        return Some(file.to_owned());
    }
    // The XDG spec: a relative (or empty) XDG_CONFIG_HOME is ignored.
    let dir = match xdg.map(PathBuf::from) {
        Some(xdg) if xdg.is_absolute() => xdg,
        _ => PathBuf::from(home.filter(|h| !h.is_empty())?).join(".config"),
    };
    Some(dir.join("stor").join("config.toml"))
}

/// The stores of `file`; none when it does not exist.
pub(crate) fn load(file: &Path) -> Result<Stores> {
    let text = match fs::read_to_string(file) {
        Ok(text) => text,
        Err(err) if err.kind() == ErrorKind::NotFound => return Ok(Stores::new()),
        Err(err) => return Err(err).with_context(|| file.display().to_string()),
    };
    parse(&text).map_err(|message| usage(format!("{}: {message}", file.display())))
}

/// The stores `text` holds. Messages name lines, stores and keys, never a value (values may
/// be secrets, and TOML's own messages quote the line).
pub(crate) fn parse(text: &str) -> std::result::Result<Stores, String> {
    let table: toml::Table = text.parse().map_err(|err: toml::de::Error| {
        let line = err
            .span()
            .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
        match line {
            Some(line) => format!("line {line}: {}", err.message()),
            None => err.message().to_owned(),
        }
    })?;
    let mut stores = Stores::new();
    for (name, value) in table {
        let toml::Value::Table(entries) = value else {
            return Err(format!(
                "`{name}` is not a table: each named store is a [NAME] table with a `url`"
            ));
        };
        if !valid_name(&name) {
            return Err(format!(
                "[{name}]: a store's name is two or more of A-Z a-z 0-9 _ -"
            ));
        }
        stores.insert(name.clone(), store(&name, entries)?);
    }
    Ok(stores)
}

fn store(name: &str, entries: toml::Table) -> std::result::Result<Store, String> {
    let mut url = None;
    let mut keys = BTreeMap::new();
    for (key, value) in entries {
        let text = match value {
            toml::Value::String(text) => text,
            toml::Value::Integer(n) => n.to_string(),
            toml::Value::Float(x) => x.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            _ => return Err(format!("[{name}] {key}: give a string")),
        };
        let normal = normal_key(&key);
        if normal == "url" {
            url = Some(text);
        } else if keys.insert(normal.clone(), text).is_some() {
            return Err(format!("[{name}]: the key `{normal}` is given twice"));
        }
    }
    let url = url.ok_or_else(|| format!("[{name}] has no `url`"))?;
    Ok(Store { url, keys })
}

/// The file's text for `stores`: a header, then one table each, `url` first.
pub(crate) fn render(stores: &Stores) -> String {
    let mut out = String::from(
        "# Named stores of stor (`stor config --help`): one [NAME] table each, with its `url`\n\
         # and any URL keys. `stor config add` and `remove` rewrite this file without comments.\n",
    );
    for (name, store) in stores {
        out.push_str(&format!("\n[{}]\n", toml_key(name)));
        out.push_str(&format!("url = {}\n", toml_string(&store.url)));
        for (key, value) in &store.keys {
            out.push_str(&format!("{} = {}\n", toml_key(key), toml_string(value)));
        }
    }
    out
}

fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}

fn toml_key(key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if bare {
        key.to_owned()
    } else {
        toml_string(key)
    }
}

/// Writes `stores` to `file`: a temporary file beside it (owner-only on unix, the directory
/// made as needed), synced, then renamed over it, so that a reader sees the old file or the
/// new one, never half of one.
pub(crate) fn save(file: &Path, stores: &Stores) -> Result<()> {
    let shown = file.display().to_string();
    let dir = match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
        _ => PathBuf::from("."),
    };
    make_dir(&dir).with_context(|| dir.display().to_string())?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "config.toml".to_owned());
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let temp = dir.join(format!(".{name}.{}.{nanos}.tmp", std::process::id()));
    let written =
        write_new(&temp, render(stores).as_bytes()).and_then(|()| fs::rename(&temp, file));
    if let Err(err) = written {
        let _ = fs::remove_file(&temp);
        return Err(err).with_context(|| shown);
    }
    Ok(())
}

fn make_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut out = options.open(path)?;
    out.write_all(bytes)?;
    out.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Stores {
        let mut stores = Stores::new();
        stores.insert(
            "prod".to_owned(),
            Store {
                url: "s3://backups/some%20prefix".to_owned(),
                keys: BTreeMap::from([
                    ("region".to_owned(), "eu-west-1".to_owned()),
                    ("secret-access-key".to_owned(), "s3cr\"et'\\\n".to_owned()),
                    ("odd key#".to_owned(), "v".to_owned()),
                ]),
            },
        );
        stores.insert(
            "local_2".to_owned(),
            Store {
                url: "fs:///data/x".to_owned(),
                keys: BTreeMap::new(),
            },
        );
        stores
    }

    #[test]
    fn the_file_is_found_where_the_flags_and_xdg_say() {
        let explicit = Path::new("/etc/stor.toml");
        assert_eq!(
            path_from(Some(explicit), Some("/x".into()), Some("/home/u".into())),
            Some(explicit.to_owned())
        );
        assert_eq!(
            path_from(None, Some("/xdg".into()), Some("/home/u".into())),
            Some(PathBuf::from("/xdg/stor/config.toml"))
        );
        assert_eq!(
            path_from(None, Some("relative".into()), Some("/home/u".into())),
            Some(PathBuf::from("/home/u/.config/stor/config.toml"))
        );
        assert_eq!(path_from(None, None, None), None);
    }

    #[test]
    fn written_files_read_back_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("new/dir/config.toml");
        save(&file, &sample()).unwrap();
        assert_eq!(load(&file).unwrap(), sample());
        // Written again over itself, and nothing left beside it.
        save(&file, &Stores::new()).unwrap();
        assert!(load(&file).unwrap().is_empty());
        let left: Vec<_> = fs::read_dir(file.parent().unwrap()).unwrap().collect();
        assert_eq!(left.len(), 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_missing_file_holds_no_stores() {
        let dir = tempfile::tempdir().unwrap();
        assert!(load(&dir.path().join("none.toml")).unwrap().is_empty());
    }

    #[test]
    fn hand_written_files_are_read_with_keys_normalised() {
        let text = "[prod]\nurl = 's3://b/p'\nRegion = 'eu'\nForce_Path_Style = true\n\
                    part-size = 8388608\n\n[dev]\nurl = '/tmp/dev'\n";
        let stores = parse(text).unwrap();
        let prod = &stores["prod"];
        assert_eq!(prod.url, "s3://b/p");
        assert_eq!(prod.keys["region"], "eu");
        assert_eq!(prod.keys["force-path-style"], "true");
        assert_eq!(prod.keys["part-size"], "8388608");
        assert_eq!(stores["dev"].url, "/tmp/dev");
    }

    #[test]
    fn broken_files_are_refused_without_their_values() {
        let cases = [
            (
                "[prod]\nurl = 's3://b'\nsecret-access-key = \"hunter2",
                "line 3",
            ),
            ("[prod]\nregion = 'eu'\n", "has no `url`"),
            ("url = 's3://b'\n", "is not a table"),
            ("[C]\nurl = 's3://b'\n", "two or more"),
            (
                "[p1]\nurl = 's3://b'\naccess_key = 'hunter2'\naccess-key = 'x'\n",
                "twice",
            ),
            (
                "[p1]\nurl = 's3://b'\nkeys = ['hunter2']\n",
                "give a string",
            ),
        ];
        for (text, expected) in cases {
            let err = parse(text).unwrap_err();
            assert!(err.contains(expected), "{text:?}: {err}");
            assert!(!err.contains("hunter2"), "{text:?}: {err}");
        }
    }
}
