/**
 * The few classes the agent appends to the bootstrap class path: slots through which advice inlined
 * into pgjdbc, servlet containers and Javalin reaches the agent, wherever those libraries were
 * loaded. Only {@code java.base} types appear here, because the bootstrap loader sees nothing else
 * (not even {@code java.sql}).
 */
package io.bemi.agent.bootstrap;
