package io.bemi.examples.todo;

/** A row of {@code todos}. */
public record Todo(long id, String title, boolean done) {}
