//! The chart of docs/performance.png: per service, each contender's median wall time and
//! client CPU time as a ratio to the raw SDK, workload by workload, every contender set alike
//! (the tables give the SDK defaults too).

use anyhow::{Context, anyhow};
use plotters::prelude::*;
use plotters::style::FontStyle;

use crate::contender::Config;
use crate::results::{CONTENDERS, Results};
use crate::workload::Workload;

/// DejaVu Sans, from Debian's fonts-dejavu-core (`cargo xtask bench` installs it if missing).
const FONT: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

const COLOURS: [RGBColor; 4] = [
    RGBColor(140, 140, 140),
    RGBColor(214, 39, 40),
    RGBColor(31, 119, 180),
    RGBColor(44, 160, 44),
];

fn register_font() -> anyhow::Result<()> {
    let bytes =
        std::fs::read(FONT).with_context(|| format!("cannot read the chart font {FONT}"))?;
    let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
    plotters::style::register_font("sans-serif", FontStyle::Normal, bytes)
        .map_err(|_| anyhow!("{FONT} is not a usable font"))
}

pub(crate) fn draw(results: &Results, path: &str) -> anyhow::Result<()> {
    register_font()?;
    let services = results.services();
    let rows = services.len().max(1) as u32;
    let (width, height) = (1600, 420 * rows);
    let mut pixels = vec![0u8; width as usize * height as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| anyhow!("{e}"))?;
        let panels = root.split_evenly((rows as usize, 2));
        for (row, service) in services.iter().enumerate() {
            for (col, metric) in ["wall", "client CPU"].iter().enumerate() {
                panel(results, service, metric, &panels[row * 2 + col])?;
            }
        }
        root.present().map_err(|e| anyhow!("{e}"))?;
    }
    write_png(path, width, height, &pixels).with_context(|| format!("cannot write {path}"))
}

/// Encodes RGB pixels as a PNG with the `png` crate: plotters' own encoder pulls in the whole
/// `image` crate and its codecs, which the benchmark's build can do without.
fn write_png(path: &str, width: u32, height: u32, rgb: &[u8]) -> anyhow::Result<()> {
    let file = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut encoder = png::Encoder::new(file, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Best);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(rgb)?;
    writer.finish()?;
    Ok(())
}

/// The median over rounds of each round's ratio to the SDK: the figure the table shows.
fn ratio(
    results: &Results,
    service: &str,
    workload: &str,
    contender: &str,
    metric: &str,
) -> Option<f64> {
    let ratio = if metric == "wall" {
        results.wall_ratio(service, workload, contender, Config::Alike)
    } else {
        results.cpu_ratio(service, workload, contender, Config::Alike)
    };
    ratio.map(|r| r.median).filter(|m| m.is_finite())
}

fn panel<DB: DrawingBackend>(
    results: &Results,
    service: &str,
    metric: &str,
    area: &DrawingArea<DB, plotters::coord::Shift>,
) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    let workloads = Workload::ALL.map(Workload::name);
    let top = workloads
        .iter()
        .flat_map(|w| {
            CONTENDERS
                .iter()
                .filter_map(move |c| ratio(results, service, w, c, metric))
        })
        .fold(1.5f64, f64::max)
        .min(6.0);
    let mut chart = ChartBuilder::on(area)
        .caption(
            format!("{service}: {metric} / raw SDK, set alike (lower is better)"),
            ("sans-serif", 22),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(0f64..workloads.len() as f64, 0f64..top * 1.05)
        .map_err(|e| anyhow!("{e}"))?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(workloads.len() * 2 + 1)
        .x_label_formatter(&|x| {
            let index = (*x - 0.5).round();
            if (x - 0.5 - index).abs() < 0.01 && index >= 0.0 {
                workloads
                    .get(index as usize)
                    .map(|w| (*w).to_owned())
                    .unwrap_or_default()
            } else {
                String::new()
            }
        })
        .y_desc("ratio")
        .label_style(("sans-serif", 14))
        .draw()
        .map_err(|e| anyhow!("{e}"))?;
    let width = 0.8 / CONTENDERS.len() as f64;
    for (c, contender) in CONTENDERS.iter().enumerate() {
        let colour = COLOURS[c];
        let bars: Vec<Rectangle<(f64, f64)>> = workloads
            .iter()
            .enumerate()
            .filter_map(|(w, workload)| {
                let value = ratio(results, service, workload, contender, metric)?.min(top);
                let left = w as f64 + 0.1 + c as f64 * width;
                Some(Rectangle::new(
                    [(left, 0.0), (left + width * 0.9, value)],
                    colour.filled(),
                ))
            })
            .collect();
        chart
            .draw_series(bars)
            .map_err(|e| anyhow!("{e}"))?
            .label(*contender)
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], colour.filled()));
    }
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(0.0, 1.0), (workloads.len() as f64, 1.0)],
            BLACK.stroke_width(1),
        )))
        .map_err(|e| anyhow!("{e}"))?;
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .label_font(("sans-serif", 14))
        .draw()
        .map_err(|e| anyhow!("{e}"))?;
    Ok(())
}
