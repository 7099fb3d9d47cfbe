using System.Globalization;
using SkiaSharp;

namespace AttentionSharp.Visualization;

/// <summary>PNG encoding shared by every figure.</summary>
public static class Png
{
    /// <summary>The surface's current picture as PNG bytes.</summary>
    public static byte[] Encode(SKSurface surface)
    {
        using var image = surface.Snapshot();
        return Encode(image);
    }

    /// <summary>The bitmap as PNG bytes.</summary>
    public static byte[] Encode(SKBitmap bitmap)
    {
        using var image = SKImage.FromBitmap(bitmap);
        return Encode(image);
    }

    /// <summary>The image as PNG bytes.</summary>
    public static byte[] Encode(SKImage image)
    {
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}

/// <summary>
/// The frame of a line chart (forecasts, precision-recall curves, BLEU by length): a white canvas, a title, a plot
/// rectangle inside margins, grid lines with labels, lines with gaps, legend entries, PNG bytes. Each figure keeps only
/// its own scales and data.
/// </summary>
public sealed class ChartCanvas : IDisposable
{
    readonly SKSurface surface;
    /// <summary>The canvas to draw on.</summary>
    public SKCanvas Canvas { get; }
    /// <summary>The text font (13 px).</summary>
    public SKFont Font { get; } = new(SKTypeface.Default, 13);
    /// <summary>Black anti-aliased text.</summary>
    public SKPaint Text { get; } = new() { Color = SKColors.Black, IsAntialias = true };
    /// <summary>The plot frame and tick marks.</summary>
    public SKPaint Axis { get; } = new() { Color = new SKColor(120, 120, 120), StrokeWidth = 1, Style = SKPaintStyle.Stroke };
    /// <summary>Light grid lines.</summary>
    public SKPaint Grid { get; } = new() { Color = new SKColor(230, 230, 230), StrokeWidth = 1, Style = SKPaintStyle.Stroke };
    /// <summary>Image width and height in pixels.</summary>
    public int Width { get; }
    /// <inheritdoc cref="Width"/>
    public int Height { get; }
    /// <summary>The plot rectangle: left and top edges, width and height.</summary>
    public float Left { get; }
    /// <inheritdoc cref="Left"/>
    public float Top { get; }
    /// <inheritdoc cref="Left"/>
    public float PlotWidth { get; }
    /// <inheritdoc cref="Left"/>
    public float PlotHeight { get; }
    /// <summary>Bottom and right edges of the plot rectangle.</summary>
    public float Bottom => Top + PlotHeight;
    /// <inheritdoc cref="Bottom"/>
    public float Right => Left + PlotWidth;

    /// <summary>A white canvas of <paramref name="width"/> x <paramref name="height"/> with the plot inside the given margins and <paramref name="title"/> above it.</summary>
    public ChartCanvas(int width, int height, int marginLeft, int marginRight, int marginTop, int marginBottom, string title)
    {
        if (width - marginLeft - marginRight < 10 || height - marginTop - marginBottom < 10)
            throw new ArgumentException($"a {width}x{height} chart leaves no room for its plot inside margins {marginLeft}/{marginRight}/{marginTop}/{marginBottom}");
        Width = width; Height = height;
        Left = marginLeft; Top = marginTop;
        PlotWidth = width - marginLeft - marginRight; PlotHeight = height - marginTop - marginBottom;
        surface = SKSurface.Create(new SKImageInfo(width, height));
        Canvas = surface.Canvas;
        Canvas.Clear(SKColors.White);
        Canvas.DrawText(title, Left, 24, SKTextAlign.Left, Font, Text);
    }

    /// <summary>A horizontal grid line at <paramref name="y"/> with its value label left of the plot.</summary>
    public void HorizontalGrid(float y, double value, string format)
    {
        Canvas.DrawLine(Left, y, Right, y, Grid);
        Canvas.DrawText(value.ToString(format, CultureInfo.InvariantCulture), Left - 6, y + 4, SKTextAlign.Right, Font, Text);
    }

    /// <summary>A label under the plot, centred at <paramref name="x"/>, <paramref name="below"/> pixels under its bottom edge.</summary>
    public void LabelBelow(float x, string label, float below = 18, SKFont? font = null, SKPaint? paint = null) =>
        Canvas.DrawText(label, x, Bottom + below, SKTextAlign.Center, font ?? Font, paint ?? Text);

    /// <summary>The title of the horizontal axis, centred under the plot at the bottom of the image.</summary>
    public void XAxisTitle(string title) => Canvas.DrawText(title, Left + PlotWidth / 2, Height - 10, SKTextAlign.Center, Font, Text);

    /// <summary>The title of the vertical axis, turned a quarter left of the plot.</summary>
    public void YAxisTitle(string title)
    {
        Canvas.Save();
        Canvas.RotateDegrees(-90, 16, Top + PlotHeight / 2);
        Canvas.DrawText(title, 16, Top + PlotHeight / 2, SKTextAlign.Center, Font, Text);
        Canvas.Restore();
    }

    /// <summary>The frame around the plot rectangle.</summary>
    public void Frame() => Canvas.DrawRect(Left, Top, PlotWidth, PlotHeight, Axis);

    /// <summary>Draws a line through <paramref name="count"/> points, lifting the pen where <paramref name="point"/> gives null (no value).</summary>
    public void Polyline(int count, Func<int, SKPoint?> point, SKPaint paint)
    {
        using var path = new SKPath();
        bool pen = false;
        for (int i = 0; i < count; i++)
        {
            if (point(i) is not { } p) { pen = false; continue; }
            if (pen) path.LineTo(p); else path.MoveTo(p);
            pen = true;
        }
        Canvas.DrawPath(path, paint);
    }

    /// <summary>A legend entry: a 24-pixel stroke of <paramref name="paint"/> and <paramref name="name"/> after it, on the text baseline <paramref name="y"/>.</summary>
    public void LegendEntry(float x, float y, string name, SKPaint paint)
    {
        Canvas.DrawLine(x, y - 4, x + 24, y - 4, paint);
        Canvas.DrawText(name, x + 28, y, SKTextAlign.Left, Font, Text);
    }

    /// <summary>The picture as PNG bytes.</summary>
    public byte[] ToPng() => Png.Encode(surface);

    /// <inheritdoc />
    public void Dispose()
    {
        Grid.Dispose(); Axis.Dispose(); Text.Dispose(); Font.Dispose();
        surface.Dispose();
    }
}
