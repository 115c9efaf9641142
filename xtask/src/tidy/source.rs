//! Rust source reduced to its code, for the import rule: comments, strings and `#[cfg(test)]`
//! modules removed, so that a path in a doc comment, a message or a test is not an import.

/// The code of `text`: comments dropped, string and char literals emptied (`""`, `' '`), line
/// breaks kept.
pub(super) fn code(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let after_ident = i > 0 && is_ident(chars[i - 1]);
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i = block_comment_end(&chars, i);
        } else if c == '"' {
            i = closing_quote(&chars, i + 1, 0);
            out.push_str("\"\"");
        } else if let Some(hashes) = raw_string_start(&chars, i).filter(|_| !after_ident) {
            i = closing_quote(&chars, i + 1 + hashes + usize::from(c == 'b') + 1, hashes);
            out.push_str("\"\"");
        } else if c == '\'' && next == Some('\\') {
            // Past the escaped character, which may itself be a `'`.
            i += 3;
            while i < chars.len() && chars[i] != '\'' {
                i += 1;
            }
            i += 1;
            out.push_str("' '");
        } else if c == '\'' && chars.get(i + 2) == Some(&'\'') {
            i += 3;
            out.push_str("' '");
        } else {
            // Also a lifetime's `'`, which starts no literal.
            out.push(c);
            i += 1;
        }
    }
    out
}

/// `code` without the `#[cfg(test)] mod name { ... }` blocks, whose `use super::*` would
/// otherwise tie a module to itself.
pub(super) fn without_tests(code: &str) -> String {
    let mut out = code.to_owned();
    while let Some(start) = test_module_start(&out) {
        let Some(open) = out[start..].find('{').map(|o| start + o) else {
            break;
        };
        let mut depth = 0;
        let mut end = out.len();
        for (offset, c) in out[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 1 => {
                    end = open + offset + 1;
                    break;
                }
                '}' => depth -= 1,
                _ => {}
            }
        }
        out.replace_range(start..end, "");
    }
    out
}

/// Where the first `#[cfg(test)]` that is followed by an inline module starts.
fn test_module_start(code: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(found) = code[from..].find("#[cfg(test)]") {
        let start = from + found;
        let mut rest = code[start + "#[cfg(test)]".len()..].trim_start();
        // Further attributes, and the visibility, may stand between it and `mod`.
        while rest.starts_with("#[") {
            rest = rest.split_once(']').map_or("", |(_, r)| r).trim_start();
        }
        if let Some(r) = rest.strip_prefix("pub") {
            rest = r.trim_start();
            if rest.starts_with('(') {
                rest = rest.split_once(')').map_or("", |(_, r)| r).trim_start();
            }
        }
        if let Some(r) = rest.strip_prefix("mod ") {
            let r = r.trim_start().trim_start_matches(is_ident).trim_start();
            if r.starts_with('{') {
                return Some(start);
            }
        }
        from = start + 1;
    }
    None
}

/// The number of `#` when a raw string (`r"`, `r#"`, `br#"`) starts at `i`.
fn raw_string_start(chars: &[char], i: usize) -> Option<usize> {
    let r = if chars[i] == 'b' { i + 1 } else { i };
    if chars.get(r) != Some(&'r') {
        return None;
    }
    let hashes = chars[r + 1..].iter().take_while(|&&c| c == '#').count();
    (chars.get(r + 1 + hashes) == Some(&'"')).then_some(hashes)
}

/// The index after the `"` (followed by `hashes` `#`) closing a string whose text starts at
/// `i`; escapes count only in strings that are not raw.
fn closing_quote(chars: &[char], mut i: usize, hashes: usize) -> usize {
    while i < chars.len() {
        match chars[i] {
            '\\' if hashes == 0 => i += 2,
            '"' if chars[i + 1..]
                .iter()
                .take(hashes)
                .filter(|&&c| c == '#')
                .count()
                == hashes =>
            {
                return i + 1 + hashes;
            }
            _ => i += 1,
        }
    }
    i
}

/// The index after the (nested) block comment starting at `i`.
fn block_comment_end(chars: &[char], mut i: usize) -> usize {
    let mut depth = 0;
    while i < chars.len() {
        match (chars[i], chars.get(i + 1)) {
            ('/', Some('*')) => (depth, i) = (depth + 1, i + 2),
            ('*', Some('/')) if depth == 1 => return i + 2,
            ('*', Some('/')) => (depth, i) = (depth - 1, i + 2),
            _ => i += 1,
        }
    }
    i
}

pub(super) fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_literals_are_not_code() {
        let text = "use crate::a; // crate::b\n/* crate::c /* nested */ crate::d */\n\
                    let s = \"crate::e \\\" crate::f\"; let r = r#\"crate::g \" \"#;\n\
                    let q = '\"'; let e = '\\''; fn f<'a>(x: &'a str) { crate::h(x) }";
        let code = code(text);
        assert!(
            code.contains("crate::a") && code.contains("crate::h"),
            "{code}"
        );
        for gone in [
            "crate::b", "crate::c", "crate::d", "crate::e", "crate::f", "crate::g",
        ] {
            assert!(!code.contains(gone), "{gone} in {code}");
        }
        assert!(code.contains("fn f<'a>(x: &'a str)"), "{code}");
    }

    #[test]
    fn test_modules_are_dropped() {
        let text = "use crate::a;\n#[cfg(test)]\n#[allow(unused)]\npub(crate) mod tests {\n\
                    use super::*; fn t() { if x { crate::b(); } }\n}\n\
                    #[cfg(test)]\nuse crate::c;\nfn g() {}\n";
        let code = without_tests(&code(text));
        assert!(
            !code.contains("crate::b") && !code.contains("super"),
            "{code}"
        );
        assert!(code.contains("crate::a") && code.contains("crate::c") && code.contains("fn g"));
    }
}
