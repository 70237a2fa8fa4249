/**
 * Saved models: functions traced into graphs of operations that run without the Java classes that
 * built them.
 *
 * <ul>
 *   <li>{@link dev.sonnet.export.TensorSpec}: an input's dtype and shape, with unknown ({@code -1})
 *       dimensions named by symbols.
 *   <li>The graph representation: {@link dev.sonnet.export.Graph} of {@link
 *       dev.sonnet.export.Node}s, each a {@link dev.sonnet.export.GraphOp} over {@link
 *       dev.sonnet.export.Value}s whose shapes are {@link dev.sonnet.export.SymbolicShape}s of
 *       {@link dev.sonnet.export.DimExpr}s; the inputs, variables ({@link
 *       dev.sonnet.export.GraphVariable}, read by name, never frozen) and constants.
 * </ul>
 */
package dev.sonnet.export;
