//! docs/data-format.md lists every table and column of the model.

const DOC: &str = include_str!("../../../docs/data-format.md");

#[test]
fn every_column_is_documented() {
    for table in jx555_facts::model::tables() {
        assert!(
            DOC.contains(&format!("### `{}` ({})", table.name, table.label)),
            "table {} is not in docs/data-format.md",
            table.name
        );
        for c in &table.columns {
            let row = format!("| `{}` | {} |", c.name, c.label);
            assert!(
                DOC.contains(&row),
                "{row} ({}) is not in docs/data-format.md",
                table.name
            );
        }
    }
}
