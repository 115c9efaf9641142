//! Circles in a small directed graph (a crate's modules): its strongly connected components
//! and a shortest circle through each, for the import rule.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// Each node's successors.
pub(super) type Graph = BTreeMap<String, BTreeSet<String>>;

/// The strongly connected components of more than one node, each sorted, ordered by their
/// first node. A crate has a few dozen modules at most, so a search from every node is cheap
/// and simpler than Tarjan's algorithm.
pub(super) fn components(graph: &Graph) -> Vec<Vec<String>> {
    let reach: BTreeMap<&String, BTreeSet<&String>> = graph
        .keys()
        .map(|node| (node, reachable(graph, node)))
        .collect();
    let mut placed: BTreeSet<&String> = BTreeSet::new();
    let mut components = Vec::new();
    for (node, from_node) in &reach {
        if placed.contains(*node) {
            continue;
        }
        let component: Vec<String> = from_node
            .iter()
            .filter(|other| reach.get(*other).is_some_and(|r| r.contains(node)))
            .map(|other| (*other).clone())
            .collect();
        if component.len() > 1 {
            placed.extend(from_node.iter().filter(|o| component.contains(**o)));
            components.push(component);
        }
    }
    components
}

/// A shortest circle from the component's first node back to it, as `[a, b, ..., a]`.
pub(super) fn shortest_circle(graph: &Graph, component: &[String]) -> Vec<String> {
    let Some(start) = component.first() else {
        return Vec::new();
    };
    let mut parent: BTreeMap<&String, &String> = BTreeMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(node) = queue.pop_front() {
        for next in graph.get(node).into_iter().flatten() {
            if next == start {
                let mut walk = Vec::new();
                let mut at = node;
                while at != start {
                    walk.push(at.clone());
                    match parent.get(at) {
                        Some(previous) => at = previous,
                        None => break,
                    }
                }
                walk.reverse();
                let mut circle = vec![start.clone()];
                circle.extend(walk);
                circle.push(start.clone());
                return circle;
            }
            if component.contains(next) && !parent.contains_key(next) {
                parent.insert(next, node);
                queue.push_back(next);
            }
        }
    }
    Vec::new()
}

/// The nodes reachable from `node` by one edge or more (`node` itself only on a circle).
fn reachable<'g>(graph: &'g Graph, node: &String) -> BTreeSet<&'g String> {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<&String> = graph.get(node).into_iter().flatten().collect();
    while let Some(next) = stack.pop() {
        if let Some((key, successors)) = graph.get_key_value(next)
            && seen.insert(key)
        {
            stack.extend(successors);
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(edges: &[(&str, &str)]) -> Graph {
        let mut graph = Graph::new();
        for (from, to) in edges {
            graph.entry((*to).to_owned()).or_default();
            graph
                .entry((*from).to_owned())
                .or_default()
                .insert((*to).to_owned());
        }
        graph
    }

    #[test]
    fn a_chain_has_no_circle() {
        let g = graph(&[
            ("writer", "backend"),
            ("reader", "backend"),
            ("backend", "config"),
        ]);
        assert!(components(&g).is_empty());
    }

    #[test]
    fn circles_are_found_with_a_shortest_walk() {
        let g = graph(&[
            ("backend", "writer"),
            ("writer", "multipart"),
            ("multipart", "backend"),
            ("writer", "backend"),
            ("config", "error"),
            ("error", "config"),
            ("reader", "config"),
        ]);
        let found = components(&g);
        assert_eq!(
            found,
            [
                vec!["backend", "multipart", "writer"],
                vec!["config", "error"]
            ]
        );
        assert_eq!(
            shortest_circle(&g, &found[0]),
            ["backend", "writer", "backend"]
        );
        assert_eq!(
            shortest_circle(&g, &found[1]),
            ["config", "error", "config"]
        );
        let long = graph(&[("a", "b"), ("b", "c"), ("c", "a")]);
        assert_eq!(
            shortest_circle(&long, &components(&long)[0]),
            ["a", "b", "c", "a"]
        );
    }
}
