//! `translate metadata`.

use translator::analysis::Version;

use super::{load, print, CliError, MetadataArgs};

fn version_text(v: Version) -> &'static str {
    match v {
        Version::V3_12 => "3.12",
        Version::V3_13 => "3.13",
        Version::V3_14 => "3.14",
        Version::V3_15 => "3.15",
    }
}

pub fn run(args: &MetadataArgs) -> Result<(), CliError> {
    let loaded = load(&args.input)?;
    let meta = loaded.analysis.metadata();
    if args.json {
        let mut s = meta.to_json();
        s.push('\n');
        print(&s)
    } else {
        let header = format!(
            "# {} ({}; CPython {} rules; {} definitions)\n",
            loaded.input.display_name,
            loaded.input.source.describe(),
            version_text(loaded.analysis.version),
            loaded.file.definitions.len()
        );
        print(&(header + &meta.to_text()))
    }
}
