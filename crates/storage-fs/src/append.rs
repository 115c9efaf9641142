//! Appending to a file so that an append which fails, or whose future is dropped midway,
//! leaves the file at its previous length: one blocking task owns the file, writes the chunks it
//! is handed, and truncates back unless the whole body arrived. Being the only writer, its
//! truncation cannot race a write still in flight. With durability on, an append that
//! returns has its bytes on the disk.

use std::fs::OpenOptions;
use std::io::{self, Seek, SeekFrom, Write};
use std::path::PathBuf;

use bytes::Bytes;
use futures_util::StreamExt;
use storage_types::{Body, Error, ErrorKind, Result};
use tokio::sync::mpsc;

use crate::durable::Durability;
use crate::paths::is_directory;

/// What the writing task is handed: a chunk, or word that the body ended.
enum Message {
    Chunk(Bytes),
    End,
}

/// Appends `body` to the file at `local`, whose length must be `offset`; returns the new length.
pub(crate) async fn append(
    local: PathBuf,
    offset: u64,
    body: Body,
    durability: Durability,
) -> Result<u64> {
    // Two chunks in flight at most: memory stays bounded by the body's chunk size.
    let (sender, receiver) = mpsc::channel::<Message>(2);
    let writer =
        tokio::task::spawn_blocking(move || write_all(&local, offset, receiver, &durability));
    let mut stream = body.into_stream();
    let mut failure = None;
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(chunk) => {
                if sender.send(Message::Chunk(chunk)).await.is_err() {
                    break; // The writer stopped; its result says why.
                }
            }
            Err(err) => {
                failure = Some(err);
                break;
            }
        }
    }
    if failure.is_none() {
        let _ = sender.send(Message::End).await;
    }
    // Dropping the sender without `End` makes the writer truncate back.
    drop(sender);
    let written = match writer.await {
        Ok(result) => result,
        Err(join) => Err(Error::unexpected("the append task failed").with_source(join)),
    };
    match failure {
        Some(err) => Err(err),
        None => written,
    }
}

/// The blocking side: checks the length, writes every chunk, and truncates back to `offset`
/// unless `End` arrives and every write (and the sync) succeeded.
fn write_all(
    local: &PathBuf,
    offset: u64,
    mut receiver: mpsc::Receiver<Message>,
    durability: &Durability,
) -> Result<u64> {
    let mut file = match OpenOptions::new().write(true).open(local) {
        Ok(file) => file,
        Err(err) if err.kind() == io::ErrorKind::IsADirectory => return Err(is_directory()),
        Err(err) => return Err(err.into()),
    };
    let length = file.metadata()?.len();
    if length != offset {
        return Err(Error::new(
            ErrorKind::ConditionNotMet,
            format!("append at offset {offset}, but the object has {length} bytes"),
        ));
    }
    file.seek(SeekFrom::Start(offset))?;
    let mut written = 0u64;
    let outcome: Result<bool> = (|| {
        while let Some(message) = receiver.blocking_recv() {
            match message {
                Message::Chunk(chunk) => {
                    file.write_all(&chunk)?;
                    written += chunk.len() as u64;
                }
                Message::End => {
                    durability.file(&file)?;
                    return Ok(true);
                }
            }
        }
        // The sender went away without `End`: the body failed or the append was cancelled.
        Ok(false)
    })();
    match outcome {
        Ok(true) => Ok(offset + written),
        Ok(false) => {
            file.set_len(offset)?;
            Err(Error::unexpected(
                "the append was cancelled; the object keeps its length",
            ))
        }
        Err(err) => {
            file.set_len(offset)?;
            Err(err)
        }
    }
}
