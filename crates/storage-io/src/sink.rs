//! [`ObjectSink`]: a `futures::Sink<Bytes>` feeding one streaming `Storage::write` that runs
//! on a spawned tokio task.

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use futures_core::Stream;
use futures_util::Sink;
use storage_types::{Body, Error, ErrorKind, Metadata, Result, Storage};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::PollSender;

use crate::options::WriterOptions;

/// Writes one object from a `Sink` of `Bytes` chunks.
///
/// Creating it starts one streaming [`Storage::write`] on a tokio task; chunks reach it
/// through a queue of [`queue`](WriterOptions::queue) chunks, so a slow upload makes
/// `poll_ready` wait. The backend cuts the body into parts (multipart) as it sees fit.
/// `poll_close` ends the body and waits for the write: the write's error, if any, is returned
/// there, and [`metadata`](ObjectSink::metadata) is known after. Dropping the sink before
/// closing it fails the body, so the write is abandoned and no object appears (an existing
/// object is left as it was).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> storage_types::Result<()> {
/// use std::sync::Arc;
/// use bytes::Bytes;
/// use futures_util::SinkExt;
/// use storage_io::{ObjectSink, WriterOptions};
/// use storage_types::{Storage, StorageExt};
///
/// let store: Arc<dyn Storage> = Arc::new(storage_memory::MemoryStorage::new());
/// let mut sink = ObjectSink::create(store.clone(), "log.txt", WriterOptions::default())?;
/// sink.send(Bytes::from("one\n")).await?;
/// sink.send(Bytes::from("two\n")).await?;
/// sink.close().await?;
/// assert_eq!(sink.metadata().map(|m| m.size), Some(8));
/// assert_eq!(store.read_bytes("log.txt").await?, "one\ntwo\n");
/// # Ok(())
/// # }
/// ```
pub struct ObjectSink {
    path: String,
    tx: PollSender<Message>,
    task: JoinHandle<Result<Metadata>>,
    state: State,
}

/// What travels to the write task. The body ends only on `Finish`: a queue closed without it
/// means the sink was dropped, and the body fails instead of ending short.
enum Message {
    Data(Bytes),
    Finish,
}

enum State {
    Open,
    /// `Finish` is sent; the write is completing.
    Closing,
    Done(Box<Metadata>),
    /// The write failed; the error was returned once and is repeated by kind and message.
    Failed(ErrorKind, String),
}

impl ObjectSink {
    /// Starts the write of `path` on `store` with `opts.write`, on the current tokio runtime.
    ///
    /// Errors: `Unexpected` outside a tokio runtime. The write's own errors (a failed
    /// condition, a refused option) come from `poll_ready`, `start_send` or `poll_close`.
    pub fn create(store: Arc<dyn Storage>, path: &str, opts: WriterOptions) -> Result<Self> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
            Error::unexpected("an ObjectSink or ObjectWriter must be created in a tokio runtime")
                .with_path(path)
        })?;
        let (tx, rx) = mpsc::channel(opts.queue.max(1));
        let mut body = Body::from_stream(body_stream(rx), None);
        if let Some(limit) = &opts.rate_limit {
            body = limit.limit_body(body);
        }
        let owned = path.to_owned();
        let write = opts.write;
        let task = runtime.spawn(async move { store.write_with(&owned, body, write).await });
        Ok(ObjectSink {
            path: path.to_owned(),
            tx: PollSender::new(tx),
            task,
            state: State::Open,
        })
    }

    /// What the store reported of the new object, once the sink is closed.
    pub fn metadata(&self) -> Option<&Metadata> {
        match &self.state {
            State::Done(metadata) => Some(metadata),
            _ => None,
        }
    }

    /// Ok while chunks may still be sent; the write's error after it failed.
    pub(crate) fn check_open(&self) -> Result<()> {
        match &self.state {
            State::Open => Ok(()),
            // The message already names the path.
            State::Failed(kind, message) => Err(Error::new(*kind, message.clone())),
            State::Closing | State::Done(_) => Err(self.error(
                ErrorKind::InvalidInput,
                "the writer is already shut down".into(),
            )),
        }
    }

    fn error(&self, kind: ErrorKind, message: String) -> Error {
        Error::new(kind, message).with_path(self.path.as_str())
    }

    /// Waits for the write task and records its outcome. `finished` says whether the body
    /// was ended; a write that succeeds without it has dropped bytes, which is an error.
    fn poll_task(&mut self, cx: &mut Context<'_>, finished: bool) -> Poll<Result<()>> {
        let outcome = match ready!(Pin::new(&mut self.task).poll(cx)) {
            Ok(Ok(metadata)) if finished => Ok(metadata),
            Ok(Ok(_)) => Err(self.error(
                ErrorKind::Unexpected,
                "the write completed before its body ended".into(),
            )),
            Ok(Err(err)) => Err(err),
            Err(join) => Err(self.error(
                ErrorKind::Unexpected,
                format!("the write task did not finish: {join}"),
            )),
        };
        Poll::Ready(match outcome {
            Ok(metadata) => {
                self.state = State::Done(Box::new(metadata));
                Ok(())
            }
            Err(err) => {
                self.state = State::Failed(err.kind(), err.to_string());
                Err(err)
            }
        })
    }
}

fn body_stream(rx: mpsc::Receiver<Message>) -> impl Stream<Item = Result<Bytes>> + Send {
    futures_util::stream::unfold(Some(rx), |rx| async move {
        let mut rx = rx?;
        match rx.recv().await {
            Some(Message::Data(chunk)) => Some((Ok(chunk), Some(rx))),
            Some(Message::Finish) => None,
            None => {
                let abandoned = Error::new(
                    ErrorKind::Unexpected,
                    "the writer was dropped before it was shut down: the write is abandoned",
                );
                Some((Err(abandoned), None))
            }
        }
    })
}

impl Sink<Bytes> for ObjectSink {
    type Error = Error;

    fn poll_ready(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        let this = self.get_mut();
        this.check_open()?;
        match ready!(this.tx.poll_reserve(cx)) {
            Ok(()) => Poll::Ready(Ok(())),
            // The write task stopped reading: it failed, and says why.
            Err(_) => this.poll_task(cx, false),
        }
    }

    fn start_send(self: Pin<&mut Self>, chunk: Bytes) -> Result<()> {
        let this = self.get_mut();
        this.check_open()?;
        this.tx.send_item(Message::Data(chunk)).map_err(|_| {
            this.error(
                ErrorKind::Unexpected,
                "the write stopped early; closing the writer tells why".into(),
            )
        })
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Result<()>> {
        // Sent chunks are with the write task already; nothing is durable before close.
        match &self.state {
            State::Failed(..) => Poll::Ready(self.check_open()),
            _ => Poll::Ready(Ok(())),
        }
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        let this = self.get_mut();
        loop {
            match &this.state {
                State::Open => {
                    if ready!(this.tx.poll_reserve(cx)).is_err()
                        || this.tx.send_item(Message::Finish).is_err()
                    {
                        return this.poll_task(cx, false);
                    }
                    this.tx.close();
                    this.state = State::Closing;
                }
                State::Closing => return this.poll_task(cx, true),
                State::Done(_) => return Poll::Ready(Ok(())),
                State::Failed(..) => return Poll::Ready(this.check_open()),
            }
        }
    }
}

impl fmt::Debug for ObjectSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state {
            State::Open => "open",
            State::Closing => "closing",
            State::Done(_) => "done",
            State::Failed(..) => "failed",
        };
        f.debug_struct("ObjectSink")
            .field("path", &self.path)
            .field("state", &state)
            .finish_non_exhaustive()
    }
}
