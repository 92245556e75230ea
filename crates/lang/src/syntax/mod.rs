//! Text to syntax tree: the lexer (Chinese units in literals) and the parser (chumsky).

pub mod ast;
pub mod lexer;
pub mod parser;
