//! The `cases!` macro that turns a topic file's `async fn`s into registered [`Case`]s.
//!
//! [`Case`]: crate::Case

/// Builds the `Vec<Case>` of one topic from its case functions, each an
/// `async fn name(ctx: &Ctx) -> anyhow::Result<()>`, optionally followed by its needs in
/// brackets. The case is named `<topic>::<function>`.
///
/// ```text
/// cases!("read"; whole, if_match [Need::Pair(Operation::Read, Pair::IfMatch)])
/// ```
macro_rules! cases {
    ($topic:literal; $($name:ident $([$($need:expr),+ $(,)?])?),+ $(,)?) => {
        vec![$(
            $crate::harness::Case::new(
                concat!($topic, "::", stringify!($name)),
                {
                    const NEEDS: &[$crate::harness::Need] = &[$($($need),+)?];
                    NEEDS
                },
                |ctx| Box::pin($name(ctx)),
            )
        ),+]
    };
}

/// `anyhow::ensure!` for equality, with a message that shows both sides:
/// `ensure_eq!(actual, expected, "size of {path}")`.
macro_rules! ensure_eq {
    ($actual:expr, $expected:expr, $($what:tt)+) => {{
        let (actual, expected) = (&$actual, &$expected);
        anyhow::ensure!(
            actual == expected,
            "{}: expected {:?}, got {:?}",
            format_args!($($what)+),
            expected,
            actual
        );
    }};
}
