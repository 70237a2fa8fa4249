/**
 * Checkpoints: saving and restoring the state of a training program in the safetensors layout.
 *
 * <p>{@link dev.sonnet.checkpoint.Checkpoint} says what is saved (modules, loose variables, random
 * number generators) and saves and restores it; {@link dev.sonnet.checkpoint.CheckpointManager}
 * keeps numbered checkpoints in a directory; {@link dev.sonnet.checkpoint.SafeTensors} and {@link
 * dev.sonnet.checkpoint.SafeTensorsFile} read and write the files themselves, including files
 * written by PyTorch, JAX or NumPy.
 */
package dev.sonnet.checkpoint;
