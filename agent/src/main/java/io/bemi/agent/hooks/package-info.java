/**
 * The few agent classes placed on the application's class path (beside the context API): slots
 * through which advice inlined into pgjdbc, servlet containers and Javalin reaches the agent, which
 * lives in a class loader of its own. Only {@code java.base} types appear here.
 */
package io.bemi.agent.hooks;
