package dev.sonnet.recurrent;

/**
 * What {@link LSTM#withRecurrentDropout} returns: a core for training and one for evaluation that
 * share one {@link LSTM}, so one set of variables.
 *
 * @param train the LSTM with a dropout mask on its hidden state, drawn once per sequence
 * @param test the plain LSTM
 */
public record RecurrentDropoutCores(RecurrentDropoutLSTM train, LSTM test) {}
