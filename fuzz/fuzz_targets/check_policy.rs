//! Any text as a rule block under a sentence, and as a whole policy.md: checking it and rendering its
//! diagnostics must never panic or overflow the stack.

#![no_main]

use jx555_lang::{SourceFile, Sources};
use libfuzzer_sys::fuzz_target;

const MANIFEST: &str = include_str!("../../policies/example-555/pack.toml");
const CATALOG: &str = include_str!("../../policies/example-555/catalog.toml");

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let as_block = format!("## （六）培育强链企业\n\n对企业给予30万元的奖励。\n\n```rule\n{text}\n```\n");
    for policy in [as_block, text.to_string()] {
        let sources = Sources::new(
            SourceFile::new("pack.toml", MANIFEST),
            SourceFile::new("policy.md", policy),
            Some(SourceFile::new("catalog.toml", CATALOG)),
        );
        let checked = jx555_lang::check(&sources);
        let _ = sources.render(&checked.diagnostics, false);
    }
});
